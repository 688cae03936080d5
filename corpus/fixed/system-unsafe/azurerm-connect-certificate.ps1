# expect: MI601 MI101 MI102 MI601 MI601 MI104 MI601 MI601
# why: Full Connect-AzureRmAccount name with a certificate login, after Disable-AzureRmContextAutosave (the AzureRM form of the autosave call).
Disable-AzContextAutosave -Scope Process | Out-Null

Connect-AzAccount -Identity | Out-Null
# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly
Set-AzContext -SubscriptionId (Get-AzContext).Subscription.Id | Out-Null

$webApps = Get-AzWebApp
foreach ($app in $webApps) {
    $config = Get-AzWebApp -ResourceGroupName $app.ResourceGroup -Name $app.Name
    if ($config.SiteConfig.MinTlsVersion -ne '1.2') {
        Write-Warning "$($app.Name) allows TLS below 1.2 ($($config.SiteConfig.MinTlsVersion))"
    }
}
